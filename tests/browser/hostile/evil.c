/* A library source whose lines are hostile to a report: markup, script, control characters and invalid UTF-8. */
#include <stdlib.h>
void *evil(void) {
  return malloc(13); /* </script><img src=x onerror="window.__pwned=1"> [31m ÿþÃ <!-- */
}
