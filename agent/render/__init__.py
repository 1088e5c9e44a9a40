"""Presentation for the faces: charts (Vega-Lite, PNG, terminal) and Markdown/HTML reports.

The tools build evidence (a chart is a spec, a template a filled document); turning evidence into
something a person looks at happens here, when a face asks for it.
"""
