"""SQLite for the embedded layout: write transactions queue on a lock in the process."""
