"""Exit codes of every `elt` command."""

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BUSY = 75  # another run of the same kind holds the lock (EX_TEMPFAIL)
EXIT_INTERRUPTED = 130  # stopped by SIGINT/SIGTERM after recording what was finished
