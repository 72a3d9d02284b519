"""The monthly performance evaluation (绩效评价) of streets, departments and positions.

report: the evaluation itself (facts → metrics → composite score → grade, per object kind);
config: its formulas and weights as data (resources/evaluation/); metrics, durations and
positions: the facts counted from cases and their events; export: the .xlsx workbook.
"""
