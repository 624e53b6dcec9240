# Compiles GLSL to SPIR-V at build time with glslc. -MD writes a depfile, so editing an included
# file (shaders/common/*.glsl) rebuilds every shader that uses it. A compile error fails the build
# and glslc names the .glsl file and line.
function(infrascape_add_shaders target)
  set(outputs)
  foreach(src IN LISTS ARGN)
    file(RELATIVE_PATH rel "${PROJECT_SOURCE_DIR}/shaders" "${src}")
    set(out "${CMAKE_BINARY_DIR}/shaders/${rel}.spv")
    get_filename_component(outdir "${out}" DIRECTORY)
    add_custom_command(
      OUTPUT "${out}"
      COMMAND ${CMAKE_COMMAND} -E make_directory "${outdir}"
      COMMAND ${GLSLC} --target-env=vulkan1.3 -O -g -I "${PROJECT_SOURCE_DIR}/shaders"
              -MD -MF "${out}.d" -o "${out}" "${src}"
      DEPENDS "${src}"
      DEPFILE "${out}.d"
      COMMENT "glslc ${rel}"
      VERBATIM)
    list(APPEND outputs "${out}")
  endforeach()
  add_custom_target(${target} ALL DEPENDS ${outputs})
endfunction()
