"""Exit codes of every `elt` command (documented in the README, "Exit codes")."""

EXIT_OK = 0  # everything asked for succeeded
EXIT_FAILED = 1  # a source, the dbt build or a check failed
EXIT_USAGE = 2  # bad usage or settings: unknown option or name, missing or invalid setting
EXIT_BUSY = 75  # another run of the same kind holds the lock (EX_TEMPFAIL)
EXIT_INTERRUPTED = 130  # Ctrl-C / SIGINT (128 + 2), or SIGTERM, after recording what was finished
