"""The exit codes of the `gdfast` command, and the words --help and the README use for them."""

DONE = 0  # the fit converged or stopped at max_iter (a warning on stderr then)
DIVERGED = 1  # the descent diverged: the partial result is printed and saved
USAGE = 2  # a bad option or a data file that cannot be read (argparse's code too)
BUG = 3  # an unexpected error inside gdfast: a bug, to be reported
INTERRUPTED = 130  # Ctrl-C (128 + SIGINT): what was computed is printed and saved first
BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports it: the reader of stdout went away

HELP = ("exit codes: 0 done; 1 the fit diverged (its partial result is printed and saved); "
        "2 a bad option or a data file that cannot be read (one line on stderr, before any "
        "work); 3 an unexpected error inside gdfast, a bug (set GDFAST_TRACEBACK=1 to see "
        "where); 130 interrupted by Ctrl-C (what was computed is printed and saved first).")
