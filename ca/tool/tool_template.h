/*
 * `entca template ...`: the admin tool's template commands (list, show,
 * validate, duplicate, import-ldif) over the templates folder named by
 * entcad.conf. `load`, `issue` and `unissue` need the store and the
 * configuration and live with them. Single-threaded tool code.
 */
#ifndef ENTCA_CA_TOOL_TEMPLATE_H
#define ENTCA_CA_TOOL_TEMPLATE_H

/*
 * Run one template command. argv[0] is the command word ("template"),
 * argv[1] the verb:
 *   list                          templates in the folder and built-ins
 *   show NAME                     the complete file of a template
 *   validate [PATH]               parse + lint the folder, a file or a folder
 *   duplicate FROM "Display Name" write <Name>.tmpl in the folder
 *   import-ldif FILE              convert AD pKICertificateTemplate objects
 * Results go to stdout, problems to stderr. Returns the exit code: 0 done,
 * 1 the templates or the operation failed, 2 usage error.
 */
int tool_template_main(int argc, char **argv, const char *templates_dir);

#endif
