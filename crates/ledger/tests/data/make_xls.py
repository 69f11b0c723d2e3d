#!/usr/bin/env python3
"""Writes project-ledger.xls, the one fixture not built in Rust: no Rust crate writes the
legacy .xls (BIFF8) format, so this file, made with xlwt (PyPI), is kept in the repository
for tests/messy.rs::a_real_xls_file. Rerun to regenerate:

    python3 -m venv /tmp/xlwt && /tmp/xlwt/bin/pip install xlwt
    /tmp/xlwt/bin/python crates/ledger/tests/data/make_xls.py
"""
import datetime
import os

import xlwt

book = xlwt.Workbook(encoding="utf-8")
ws = book.add_sheet("重点项目")
date = xlwt.easyxf(num_format_str="yyyy-mm-dd")
ws.write_merge(0, 0, 0, 7, "凤城区2024年招商引资项目台账")
for col, head in [(0, "序号"), (1, "项目名称"), (2, "企业名称"), (5, "项目进展"), (6, "签约日期"), (7, "备注")]:
    ws.write_merge(1, 2, col, col, head)
ws.write_merge(1, 1, 3, 4, "投资额")
ws.write(2, 3, "总投资(亿元)")
ws.write(2, 4, "到资（万元）")
rows = [
    (1, "凤城新能源电池项目", " 华芯 （苏州）科技有限公司 ", 1.28, "5,000", "已签约", datetime.date(2024, 3, 15), ""),
    (2, "智能装备产业园", "凤城智造集团有限公司", "3000万", 800, "在建", 45366, "重点"),
    (3, "生物医药研发中心", "康达生物医药股份有限公司", "约一个亿", None, "洽谈中", "2024年3月", ""),
]
for i, row in enumerate(rows):
    r = 3 + i
    for c, v in enumerate(row):
        if v is None or v == "":
            continue
        if isinstance(v, datetime.date):
            ws.write(r, c, v, date)
        else:
            ws.write(r, c, v)
ws.write_merge(6, 6, 0, 2, "合计")
ws.write(6, 3, 1.58)
book.save(os.path.join(os.path.dirname(os.path.abspath(__file__)), "project-ledger.xls"))
