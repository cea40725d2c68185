"""Where and when, and compared with whom: a place's hot spots, its nights of the year,
its near repeats and its most similar partnerships, one page each."""
