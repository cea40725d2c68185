"""Domestic Homicide Reviews, becoming Domestic Abuse Related Death Reviews (Victims and
Prisoners Act 2024 s.19)."""
