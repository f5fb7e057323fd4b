#include "../names.h"

#include "../pyname.h"

void names_base_for(const char *invoked, const char *versioned, cfg_value recorded,
                    base_names *out) {
    (void)recorded; /* tried as a candidate of its own (use_recorded) */
    /* a launcher copied as `pip` acts as python: home/pip is no interpreter */
    out->names[0] = pyname_is_interpreter(invoked) ? invoked : "";
    out->names[1] = versioned;
    out->names[2] = "python3";
    out->names[3] = "python";
    out->count = 4;
    out->use_recorded = true;
}
