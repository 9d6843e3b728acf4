"""Where candidates are evaluated (the spec's `execution` section): in the run's own process
(`local`), or on Ray actors (`ray`). Either way the run's loop hands over a batch of asked
candidates and gets their records back in ask order, so every backend and worker count records
the same trials."""
