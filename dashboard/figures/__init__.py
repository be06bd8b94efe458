"""Pure figure functions: tidy DataFrames in, plotly Figures / cytoscape elements / values out.

No Dash imports and no data access: every function here is testable without a browser and
usable from notebooks (``from dashboard.figures.process_map import dfg_elements``).
"""
