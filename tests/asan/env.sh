# env.sh -- sanitizer settings for `make test-asan`, sourced before ctest.
# UBSan: stop at the first report, with a stack.  ASan: its defaults, leak
# checking included, except:
#  - verify_asan_link_order=0: tests/install.sh links examples/embed.c, not
#    instrumented, against the instrumented libipsim.so, so the ASan runtime
#    is loaded as a dependency of the library instead of first;
#  - LDFLAGS: the same install test builds examples/ with CMake, which takes
#    its linker flags from LDFLAGS: the static libipsim.a needs the runtime.
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=verify_asan_link_order=0
export LDFLAGS="-fsanitize=address,undefined"
