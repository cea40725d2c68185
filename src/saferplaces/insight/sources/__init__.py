"""Source readers: turn external files into canonical incident partitions."""
