"""jupyter_kernel_test 0.7.0 against any JavaScript kernel, for the examples README's comparison.

    cd examples/jupyter-kernel/comparison
    KERNEL_NAME=deno LANGUAGE=typescript PYTHONPATH=../conformance /usr/bin/python3 -m pytest -q test_any_javascript_kernel.py

The samples are plain JavaScript every kernel runs alike, so 11 of the suite's 13 tests are measured the
same way on each kernel. test_display_data and test_clear_output need each kernel's own display API (ours:
display.html; ijavascript: $$.html; tslab: tslab.display.html; Deno: Deno.jupyter), so they are left out
here (no samples: the suite skips them); ../conformance/test_javascript_kernel.py runs all 13 on ours.
"""

import os

import jupyter_kernel_test as jkt


class AnyJavaScriptKernelTests(jkt.KernelTests):
    kernel_name = os.environ["KERNEL_NAME"]
    language_name = os.environ.get("LANGUAGE", "javascript")

    code_hello_world = "console.log('hello, world')"
    code_stderr = "console.error('to stderr')"
    completion_samples = [{"text": "Math.ma", "matches": {"max"}}]
    complete_code_samples = ["1", "console.log('hello, world')", "function f(x) {\n  return x * 2\n}"]
    incomplete_code_samples = ["function f(x) {\n  x * 2", "[1, 2,"]
    invalid_code_samples = ["1 + )"]
    code_page_something = "Math.max?"
    code_generate_error = "throw new Error('boom')"
    code_execute_result = [{"code": "1+2+3", "result": "6"}]
    code_history_pattern = "1?2*"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "Math.max"


class AnyJavaScriptKernelWelcomeTests(jkt.IopubWelcomeTests):
    kernel_name = os.environ["KERNEL_NAME"]
    support_iopub_welcome = True
