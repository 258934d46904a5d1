# Turns a list of files into a C source with one byte array per file, so the
# binaries carry the schema table, the example stand and the cluster scenarios.
# Called as: cmake -DOUT=file.c -DBASE=dir -DFILES="a,b" -P embed.cmake
string(REPLACE "," ";" FILES "${FILES}")
set(body "#include \"embedded.h\"\n#include <stddef.h>\n")
set(table "")
set(i 0)
foreach(f IN LISTS FILES)
  file(READ "${BASE}/${f}" hex HEX)
  string(LENGTH "${hex}" hexlen)
  math(EXPR len "${hexlen} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND body "static const unsigned char emb_${i}[] = {${bytes}0x00};\n")
  string(APPEND table "    {\"${f}\", (const char *)emb_${i}, ${len}},\n")
  math(EXPR i "${i} + 1")
endforeach()
string(APPEND body "const struct embedded_file embedded_files[] = {\n${table}    {NULL, NULL, 0}};\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
