#include "emit_c.h"
