#!/usr/bin/env python3
"""Fills the English plural forms of cohort-export_en.ts from the source texts.

Sources are written "%n file(s)"; English needs "%n file" and "%n files". Forms already filled
by hand are kept.
"""
import re
import sys
import xml.etree.ElementTree as ET

path = sys.argv[1]
tree = ET.parse(path)
for message in tree.getroot().iter("message"):
    if message.get("numerus") != "yes":
        continue
    source = message.find("source").text or ""
    translation = message.find("translation")
    forms = translation.findall("numerusform")
    if all((f.text or "").strip() for f in forms):
        continue
    singular = re.sub(r"\((e?s)\)", "", source)
    plural = re.sub(r"\((e?s)\)", r"\1", source)
    forms[0].text = singular
    forms[1].text = plural
    translation.attrib.pop("type", None)
tree.write(path, encoding="utf-8", xml_declaration=True)
