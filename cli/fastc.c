#include <stdio.h>
int main(void) { puts("fastc: under construction"); return 0; }
