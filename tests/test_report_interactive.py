"""A report block shown in a live kernel: split around its charts for JupyterLab, whole when rendering."""

from __future__ import annotations

import os

import nbformat
from nbclient import NotebookClient

from community_health.render import LocalKernelManager
from community_health.report.blocks import RENDERING

CELL = """
import plotly.graph_objects as go
from community_health.report.blocks import Column, chart, table
import pandas as pd
fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
chart("Two bars", "One sentence of reading.", fig) + table(
    pd.DataFrame({"who": ["<b>ana</b>"], "n": [3]}), [Column("who", "Who"), Column("n", "N", "int")],
    title="Who wrote")
"""


def _outputs(rendering: bool) -> list[dict]:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    before = os.environ.pop(RENDERING, None)
    if rendering:
        os.environ[RENDERING] = "1"
    try:
        NotebookClient(
            nb, kernel_name="python3", kernel_manager_class=LocalKernelManager, timeout=120
        ).execute()
    finally:
        os.environ.pop(RENDERING, None)
        if before is not None:
            os.environ[RENDERING] = before
    return nb.cells[0].outputs


def test_in_jupyterlab_the_chart_is_offered_as_plotly_between_its_title_and_the_table():
    outputs = _outputs(rendering=False)
    kinds = [sorted(o["data"]) for o in outputs]
    assert kinds == [["text/html"], ["application/vnd.plotly.v1+json", "text/html"], ["text/html"]]
    head, figure, rest = (o["data"] for o in outputs)
    assert "Two bars" in head["text/html"] and "<style>" in head["text/html"]
    assert figure["application/vnd.plotly.v1+json"]["data"][0]["type"] == "bar"
    assert "Who wrote" in rest["text/html"] and "&lt;b&gt;ana&lt;/b&gt;" in rest["text/html"]


def test_when_rendering_a_block_is_one_html_output():
    outputs = _outputs(rendering=True)
    assert len(outputs) == 1 and sorted(outputs[0]["data"]) == ["text/html"]
    html = outputs[0]["data"]["text/html"]
    assert html.index("Two bars") < html.index("plotly-graph-div") < html.index("Who wrote")
