"""Strategic assessments, plans and the county Community Safety Agreement: from evidence to
priorities, contributory factors and shared outcomes."""
