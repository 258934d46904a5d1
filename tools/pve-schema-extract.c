/* pve-schema-extract: turns the official PVE API schema dump into the compact table the
 * validator embeds (only parameters/permissions/allowtoken/protected, documentation removed). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys that only document a schema node; they are dropped everywhere. */
static const char *const doc_keys[] = {
    "description", "verbose_description", "typetext", "format_description", "title", NULL};

static void schema_strip(json_t *schema);

/* Strips every value of a name -> schema map (properties, inline property-string formats). */
static void schema_map_strip(json_t *map)
{
    const char *name;
    json_t *sub;
    if (!json_is_object(map))
        return;
    json_object_foreach(map, name, sub)
    {
        (void)name;
        schema_strip(sub);
    }
}

/* Removes documentation keys from one schema node and recurses into its sub-schemas only,
 * so that parameters which happen to be called "description" survive. */
static void schema_strip(json_t *schema)
{
    if (!json_is_object(schema))
        return;
    for (int i = 0; doc_keys[i]; i++)
        json_object_del(schema, doc_keys[i]);
    schema_map_strip(json_object_get(schema, "properties"));
    json_t *format = json_object_get(schema, "format");
    if (json_is_object(format))
        schema_map_strip(format);
    schema_strip(json_object_get(schema, "items"));
    json_t *addl = json_object_get(schema, "additionalProperties");
    if (json_is_object(addl))
        schema_strip(addl);
    json_t *req = json_object_get(schema, "requires");
    if (json_is_object(req))
        schema_strip(req);
}

/* qsort comparator for an array of C strings. */
static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Builds the reduced copy of one endpoint. Returns a new reference. */
static json_t *endpoint_reduce(const json_t *ep)
{
    json_t *out = json_object();
    static const char *const keep[] = {"parameters", "permissions", "allowtoken", "protected",
                                       NULL};
    for (int i = 0; keep[i]; i++) {
        json_t *v = json_object_get(ep, keep[i]);
        if (!v || json_is_null(v))
            continue;
        json_object_set_new(out, keep[i], json_deep_copy(v));
    }
    schema_strip(json_object_get(out, "parameters"));
    json_t *perm = json_object_get(out, "permissions");
    if (json_is_object(perm))
        json_object_del(perm, "description");
    return out;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s IN_SCHEMA.json > common/pve_schema_table.json\n", argv[0]);
        return 2;
    }
    json_error_t jerr;
    json_t *in = json_load_file(argv[1], 0, &jerr);
    if (!in || !json_is_object(in)) {
        fprintf(stderr, "%s: cannot read %s: %s (line %d)\n", argv[0], argv[1],
                in ? "not a JSON object" : jerr.text, in ? 0 : jerr.line);
        json_decref(in);
        return 1;
    }

    /* Sorted endpoint keys, one endpoint per output line (diff friendly). */
    size_t n = json_object_size(in);
    const char **keys = calloc(n ? n : 1, sizeof(*keys));
    if (!keys) {
        json_decref(in);
        return 1;
    }
    size_t k = 0;
    const char *key;
    json_t *val;
    json_object_foreach(in, key, val)
    {
        (void)val;
        keys[k++] = key;
    }
    qsort(keys, n, sizeof(*keys), key_cmp);

    int rc = 0;
    fputs("{\n", stdout);
    for (size_t i = 0; i < n && rc == 0; i++) {
        json_t *reduced = endpoint_reduce(json_object_get(in, keys[i]));
        json_t *jkey = json_string(keys[i]);
        char *ks = json_dumps(jkey, JSON_ENCODE_ANY);
        char *vs = json_dumps(reduced, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
        if (!ks || !vs)
            rc = 1;
        else
            printf("%s:%s%s\n", ks, vs, i + 1 < n ? "," : "");
        free(ks);
        free(vs);
        json_decref(jkey);
        json_decref(reduced);
    }
    fputs("}\n", stdout);
    free(keys);
    json_decref(in);
    if (fflush(stdout) != 0)
        rc = 1;
    return rc;
}
