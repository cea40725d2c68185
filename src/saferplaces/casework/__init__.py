"""Multi-agency casework: panels, subjects, cases, referrals, risk assessments, actions
and reviews."""
