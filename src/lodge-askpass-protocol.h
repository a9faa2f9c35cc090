/* lodge-askpass-protocol.h: what lodge-askpass and Lodge say to each other
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A peer-to-peer D-Bus connection (no bus) on the unix socket named by
 * LODGE_ASKPASS_ADDRESS, in a folder only the user can enter; the server
 * takes only peers of its own user. One call per connection:
 *
 *   Ask (s prompt, a{sv} details) -> (s answer)
 *     details: "ssh-pid" (u) the helper's parent, "hint" (s) SSH_ASKPASS_PROMPT
 *     error LODGE_ASKPASS_ERROR_CANCELLED: no answer (the user cancelled,
 *     or the attempt to connect ended): the helper ends its ssh.
 */
#pragma once

#define LODGE_ASKPASS_ADDRESS_VARIABLE "LODGE_ASKPASS_ADDRESS"
#define LODGE_ASKPASS_OBJECT_PATH      "/org/lodge/Lodge/Askpass"
#define LODGE_ASKPASS_INTERFACE        "org.lodge.Lodge.Askpass1"
#define LODGE_ASKPASS_ERROR_CANCELLED  "org.lodge.Lodge.Askpass1.Error.Cancelled"
