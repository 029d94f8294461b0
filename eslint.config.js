// @ts-check
import js from "@eslint/js"
import tseslint from "typescript-eslint"

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "docs/api/**", ".tap/**", "bench/results/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", Buffer: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-unsafe-function-type": "off",
    },
  },
  {
    // A user's logger and a handleCallbackException override may throw or reject: the packages reach them
    // only through LogSink (ioloop/src/logger.ts) and the funnel (ioloop/src/user-code.ts), which never let
    // either out.
    files: ["packages/*/src/**/*.ts"],
    ignores: ["packages/ioloop/src/logger.ts", "packages/ioloop/src/user-code.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector:
            "CallExpression > MemberExpression[property.name=/^(error|warn|info|debug)$/][object.property.name='logger']",
          message:
            "Call a Logger through a LogSink (servicesOf(loop).log, or new LogSink(logger)), never directly.",
        },
        {
          selector: "CallExpression > MemberExpression[property.name='handleCallbackException']",
          message:
            "Report a user callback's error through the funnel (servicesOf(loop).funnel.fail), never directly.",
        },
      ],
    },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: {
      globals: {
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setImmediate: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        performance: "readonly",
        URL: "readonly",
      },
    },
  },
)
