/* Errors a person can see: a GUI launcher started with no usable stderr
 * (double-clicked, from a shortcut) shows them in a message box (msgbox.c). */
#ifndef VENVSHIM_MSGBOX_H
#define VENVSHIM_MSGBOX_H

#include "diag.h"

/* error_print, or a message box for a GUI-subsystem launcher whose stderr is
 * missing. VENVSHIM_TEST_MSGBOX_LOG=FILE: write the box's text to FILE
 * instead (tests: nobody can click a box under headless Wine). */
void win_report_error(const vs_error *err);

#endif
