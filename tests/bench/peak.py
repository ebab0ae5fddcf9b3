"""Run a module or a code string as a child's __main__ and print its own peak RSS at exit.

`python -m tests.bench.peak MODULE ARGS...` or `python -m tests.bench.peak -c CODE ARGS...`;
the last stderr line is `PEAK_RSS_KB=<VmHWM> CPU_S=<user+system seconds, all threads>`. VmHWM
is the peak of this process image only, whereas a child's rusage also counts the parent's pages
copied at fork. CPU seconds tell the work done apart from waiting for a busy machine's cores.
"""

from __future__ import annotations

import atexit
import pathlib
import resource
import runpy
import sys


def _peak() -> None:
    status = pathlib.Path("/proc/self/status").read_text()
    kb = status.split("VmHWM:")[1].split()[0]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"PEAK_RSS_KB={kb} CPU_S={usage.ru_utime + usage.ru_stime:.3f}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    atexit.register(_peak)
    if sys.argv[1] == "-c":
        code = sys.argv[2]
        sys.argv = ["-c", *sys.argv[3:]]
        exec(compile(code, "<bench>", "exec"), {"__name__": "__main__"})
    else:
        module = sys.argv[1]
        sys.argv = [module, *sys.argv[2:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
