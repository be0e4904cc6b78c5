/*
 * The relay process's entry, for relayd.c: the child started with
 * -P relay runs it and never returns.
 */
#ifndef SWS_RELAY_MAIN_H
#define SWS_RELAY_MAIN_H

__attribute__((__noreturn__)) void relay_main(int debug, int verbose,
	    const char *user, const char *chroot_dir);

#endif /* SWS_RELAY_MAIN_H */
