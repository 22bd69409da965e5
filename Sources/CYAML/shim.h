#ifndef CHARON_CYAML_SHIM_H
#define CHARON_CYAML_SHIM_H
#include <yaml.h>
#endif
