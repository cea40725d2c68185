"""The rules of casework as plain Python (no Django): risk instrument scoring, repeat MARAC,
the ASB Case Review threshold, working days and statutory clocks."""
