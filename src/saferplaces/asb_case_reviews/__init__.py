"""ASB Case Reviews (the Community Trigger, ASB, Crime and Policing Act 2014 s.104)."""
