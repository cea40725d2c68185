"""Delivery: initiatives and their strands, multi-agency action plans, outputs, funding
streams with allocations and quarterly returns, and whether an initiative worked."""
