"""Document builders (PPTX, PDF, XLSX) and Vega-Lite chart specs.

Plain Python: no Django imports. Builders read a :class:`~saferplaces.reports.pack.PerformancePack`.
"""
