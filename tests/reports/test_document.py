"""The report document: Markdown tables padded, escaped and aligned."""
from spikefit.reports.document import Strong, markdown_table


def test_markdown_table_pads_escapes_and_aligns():
    text = markdown_table(("name", "value"), [("a|b", "1.5"), (Strong("c"), "22")], numeric=(1,))
    assert text.splitlines() == ["| name  | value |", "| ----- | ----: |", "| a\\|b  |   1.5 |",
                                 "| **c** |    22 |"]
