# po.cmake: the message catalogues (gettext). Builds po/<lang>.po into
# ${CMAKE_BINARY_DIR}/locale/<lang>/LC_MESSAGES/deploy-stand.mo as part of `all` and installs them.
include(GNUInstallDirs)
find_program(MSGFMT_EXECUTABLE msgfmt REQUIRED)

set(DS_LOCALEDIR_BUILD ${CMAKE_BINARY_DIR}/locale)
target_compile_definitions(dscore PRIVATE
  "DS_LOCALEDIR_BUILD=\"${DS_LOCALEDIR_BUILD}\""
  "DS_LOCALEDIR_INSTALL=\"${CMAKE_INSTALL_FULL_LOCALEDIR}\"")

set(DS_LANGUAGES ru)
set(DS_MO_FILES "")
foreach(lang IN LISTS DS_LANGUAGES)
  set(mo ${DS_LOCALEDIR_BUILD}/${lang}/LC_MESSAGES/deploy-stand.mo)
  add_custom_command(
    OUTPUT ${mo}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${DS_LOCALEDIR_BUILD}/${lang}/LC_MESSAGES
    COMMAND ${MSGFMT_EXECUTABLE} --check -o ${mo} ${CMAKE_SOURCE_DIR}/po/${lang}.po
    DEPENDS ${CMAKE_SOURCE_DIR}/po/${lang}.po
    COMMENT "Compiling the ${lang} message catalogue"
    VERBATIM)
  list(APPEND DS_MO_FILES ${mo})
  install(FILES ${mo} DESTINATION ${CMAKE_INSTALL_LOCALEDIR}/${lang}/LC_MESSAGES)
endforeach()
add_custom_target(translations ALL DEPENDS ${DS_MO_FILES})
# the binaries are only useful in another language with their catalogue next to them
add_dependencies(dscore translations)
