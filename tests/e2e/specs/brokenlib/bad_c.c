int bad_c(void) { return undeclared_in_c; }
