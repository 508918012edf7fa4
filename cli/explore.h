/* explore.h — `fastc explore`: build several variants of one model (optimization levels,
 * single passes, lossy activation replacements), run them on real inputs and tabulate speed
 * against deviation from -O0. See docs/explore.md. */
#ifndef FC_EXPLORE_H
#define FC_EXPLORE_H

/* argv[0] is "explore". Returns the process exit status (0 ok, 1 failure, 2 usage). */
int fc_explore_main(int argc, char **argv);

#endif
