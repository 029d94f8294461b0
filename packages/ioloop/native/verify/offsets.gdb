# Run by verify-offsets.sh: prints zeromq.js's zmq::Socket fields at the offsets native/data_path.h uses,
# at the moments that set them. $self is `this` of the last Socket::Bind.
set pagination off
set breakpoint pending on
set $self = 0
break zmq::Socket::Bind(Napi::CallbackInfo const&)
commands
  silent
  set $self = $rdi
  printf "Bind: vptr %p, vtable for zmq::Socket + 16 = %p; socket@264 %p, state@296 %d, type@300 %d\n", *(void**)$self, ((char*)&'vtable for zmq::Socket') + 16, *(void**)($self + 264), *(unsigned char*)($self + 296), *(int*)($self + 300)
  continue
end
break zmq_bind
commands
  silent
  printf "zmq_bind on a worker thread: its socket %p, socket@264 %p, state@296 %d\n", $rdi, *(void**)($self + 264), *(unsigned char*)($self + 296)
  continue
end
break zmq_close
commands
  silent
  printf "zmq_close: its socket %p\n", $rdi
  continue
end
run
