"""Information governance: sharing agreements, who may see casework (decided in one place),
the tamper-evident audit trail, retention and small-number suppression."""
