/*
 * `entca dump FILE [--json]` (certutil -dump): see tool_dump.c. Returns
 * the exit status: 0 printed, 1 unreadable, 2 usage. Tool main thread.
 */
#ifndef ENTCA_CA_TOOL_DUMP_H
#define ENTCA_CA_TOOL_DUMP_H

int tool_dump_main(int argc, char **argv);

#endif
