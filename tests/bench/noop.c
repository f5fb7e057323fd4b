/* The benchmark's stand-in for a base interpreter: a static binary that does
 * nothing, so timing the launcher in front of it measures the launcher's hop. */
int main(void) {
    return 0;
}
