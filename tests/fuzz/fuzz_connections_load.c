/* fuzz_connections_load: libFuzzer target for connections_load_text (connections_config.yml):
 * any input gives connections or located diagnostics, and picking a connection never crashes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/connections.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag_list diags = {0};
    struct connections *c = NULL;
    int rc = connections_load_text("fuzz.yml", (const char *)data, size, &c, &diags);
    fuzz_check_result(rc, c != NULL, &diags);
    if (c) {
        FUZZ_CHECK(c->n > 0);
        for (size_t i = 0; i < c->n; i++) {
            const struct connection *k = &c->items[i];
            FUZZ_CHECK(k->name && k->host && k->host[0] && k->user);
            FUZZ_CHECK(k->port >= 1 && k->port <= 65535);
            FUZZ_CHECK(k->use_token ? (k->token_name && k->token_value) : k->password != NULL);
            FUZZ_CHECK(!k->fingerprint || strlen(k->fingerprint) == 95);
        }
        (void)connections_pick(c, NULL);
        (void)connections_pick(c, c->items[c->n - 1].name);
        (void)connections_pick(c, "no-such-connection");
    }
    connections_free(c);
    diag_list_clear(&diags);
    return 0;
}
