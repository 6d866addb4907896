#!/bin/sh
# Regenerates the translation files from the sources (run after changing user-visible text):
#   cohort-export.ts     every tr() string, the template for translators;
#   cohort-export_en.ts  English plural forms only ("%n file(s)" -> "1 file" / "2 files"),
#                        compiled into the app by CMake.
set -eu
cd "$(dirname "$0")/../.."
lupdate=${LUPDATE:-/usr/lib/qt6/bin/lupdate}
"$lupdate" -silent -locations none app ui -ts resources/translations/cohort-export.ts
"$lupdate" -silent -locations none -pluralonly app ui -ts resources/translations/cohort-export_en.ts
python3 resources/translations/fill-english-plurals.py resources/translations/cohort-export_en.ts
