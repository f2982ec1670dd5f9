//! One module per subcommand: plan (reads only) and execute (writes and waits).
