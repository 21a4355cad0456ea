"""Cells for files people open in a spreadsheet."""


def spreadsheet_text(value: object) -> str:
    """Text for a spreadsheet cell. Text that starts like a formula is prefixed with an
    apostrophe, so opening the file never runs what someone typed."""
    text = "" if value is None else str(value)
    if text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return f"'{text}"
    return text
