#pragma once

namespace cohort::cli {

// Makes standard output and error usable by a command-line command on every OS. On Windows:
// the GUI-subsystem cohort-export.exe has no console of its own, so a command typed in cmd or
// PowerShell writes to the console it was started from (unless its output is redirected);
// output is binary (no "\r\n" for "\n": a printed URL is read back byte for byte) and the
// console shows UTF-8. Elsewhere nothing is needed.
void prepareConsole();

} // namespace cohort::cli
