"""Case library of party-building brands (党建品牌) and party-member model posts (党员示范岗).

Pipeline: files -> load -> validate -> model -> (pages | casebook | data).
"""

__version__ = "0.1.0"
