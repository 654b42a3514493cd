"""One replication of one municipality: the scenario, the staircase, caseworkers, children and the ledger."""
