/* A library header that includes nothing: the generated code must not lean on it for NULL,
 * size_t or anything else standard. */
#ifndef BARE_H
#define BARE_H
int bare_add(int a, int b);
#endif
