# ctest bench.hallmark_eval_smoke: runs hallmark-eval on three small images
# with two false-positive keys and checks that it exits 0 and writes a JSON
# document with the expected shape. No quality threshold.
#   cmake -DEVAL=path/to/hallmark-eval -DIMAGES=tests/data/images -DOUT_DIR=dir -P this
file(MAKE_DIRECTORY ${OUT_DIR})
set(json_file ${OUT_DIR}/eval_smoke.json)
set(md_file ${OUT_DIR}/eval_smoke.md)
file(REMOVE ${json_file} ${md_file})
execute_process(
  COMMAND ${EVAL}
    --images ${IMAGES}/chelsea.jpg
    --images ${IMAGES}/coins.png
    --images ${IMAGES}/synthetic/odd_257x263.png
    --keys 2 --repeat 1 --quiet
    --json ${json_file} --markdown ${md_file}
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "hallmark-eval exited with ${rc}\n${err}\n${out}")
endif()

file(READ ${json_file} json)
# string(JSON) fails on malformed JSON: ERROR_VARIABLE turns that into a
# message instead of an abort with no context.
string(JSON evaluated ERROR_VARIABLE e GET "${json}" images_evaluated)
if(e)
  message(FATAL_ERROR "invalid JSON from hallmark-eval: ${e}")
endif()
if(NOT evaluated EQUAL 3)
  message(FATAL_ERROR "expected 3 images evaluated, JSON says ${evaluated}")
endif()
string(JSON attacks ERROR_VARIABLE e LENGTH "${json}" attacks)
string(JSON images ERROR_VARIABLE e2 LENGTH "${json}" images)
string(JSON trials ERROR_VARIABLE e3 GET "${json}" false_positives unmarked_trials)
string(JSON psnr ERROR_VARIABLE e4 GET "${json}" summary psnr_db mean)
if(e OR e2 OR e3 OR e4 OR attacks LESS 18 OR NOT images EQUAL 3 OR trials LESS 1)
  message(FATAL_ERROR "unexpected JSON shape: ${e} ${e2} ${e3} ${e4} attacks=${attacks} "
                      "images=${images} trials=${trials}")
endif()
file(READ ${md_file} md)
if(NOT md MATCHES "\\| attack \\| exact recovery %")
  message(FATAL_ERROR "Markdown report without the attack table")
endif()
message(STATUS "hallmark-eval smoke: ${attacks} attacks, ${trials} false-positive trials, "
               "mean PSNR ${psnr} dB")
