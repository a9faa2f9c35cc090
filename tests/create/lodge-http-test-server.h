/* lodge-http-test-server.h: libsoup's own HTTP server on 127.0.0.1, for download tests
 *
 * Copyright 2026 The Lodge authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Serves one file at /<name> from memory with an ETag and Last-Modified,
 * honours "Range: bytes=N-" (206 with Content-Range) unless If-Range names
 * another ETag (then 200 with everything), answers 404 elsewhere. It can
 * send the body slowly (chunk by chunk on a timer) and close the
 * connection after some bytes. It runs on the thread-default main context
 * of its creator: the test iterates that context while a downloader works
 * on its own thread.
 */
#pragma once

#include <libsoup/soup.h>
#include <string.h>

typedef struct
{
  SoupServer *server;
  char       *name;
  GBytes     *content;
  char       *etag;
  guint       port;

  /* Pacing: chunk_size bytes every interval_ms (0: everything at once). */
  gsize       chunk_size;
  guint       interval_ms;
  /* Closes the connection once this many body bytes were sent (0: never). */
  gsize       close_after;
  /* Sends neither ETag nor Last-Modified: nothing a client may resume
   * against. */
  gboolean    no_validators;
  /* Sends the body chunked, without Content-Length: the size is unknown
   * until the end. */
  gboolean    no_length;

  /* What the server saw. */
  guint       n_requests;
  guint       n_ranged;       /* requests with a Range header */
  guint       n_partial;      /* answered 206 */
  char       *last_if_range;
} LodgeHttpTestServer;

typedef struct
{
  LodgeHttpTestServer *server;
  SoupServerMessage   *msg;
  GBytes              *body;      /* what remains of the answer's body */
  gsize                offset;    /* into body */
  gsize                sent;
  guint                timeout;
  gboolean             finished;
} LodgeHttpTestSend;

static inline void
lodge_http_test_send_free (LodgeHttpTestSend *send)
{
  g_clear_handle_id (&send->timeout, g_source_remove);
  g_bytes_unref (send->body);
  g_free (send);
}

static inline void lodge_http_test_send_next (LodgeHttpTestSend *send);

static inline gboolean
lodge_http_test_send_timeout_cb (gpointer data)
{
  LodgeHttpTestSend *send = data;

  send->timeout = 0;
  lodge_http_test_send_next (send);
  soup_server_message_unpause (send->msg);
  return G_SOURCE_REMOVE;
}

/* Appends the next chunk, or completes the body. */
static inline void
lodge_http_test_send_next (LodgeHttpTestSend *send)
{
  SoupMessageBody *body = soup_server_message_get_response_body (send->msg);
  gsize size = g_bytes_get_size (send->body);
  gsize n = MIN (send->server->chunk_size, size - send->offset);

  if (send->offset >= size)
    {
      soup_message_body_complete (body);
      return;
    }
  if (send->server->close_after > 0)
    n = MIN (n, send->server->close_after - MIN (send->offset, send->server->close_after));

  soup_message_body_append (body, SOUP_MEMORY_COPY,
                            (const guint8 *) g_bytes_get_data (send->body, NULL) + send->offset, n);
  send->offset += n;
}

/* Emitted once a chunk appended to the body was written: everything
 * appended so far is out. */
static inline void
lodge_http_test_wrote_chunk_cb (SoupServerMessage *msg,
                                gpointer           data)
{
  LodgeHttpTestSend *send = data;

  send->sent = send->offset;
  if (send->server->close_after > 0 && send->sent >= send->server->close_after)
    {
      /* Gone mid-body: the client has fewer bytes than Content-Length. */
      g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);

      g_io_stream_close (stream, NULL, NULL);
      return;
    }
  if (send->offset >= g_bytes_get_size (send->body))
    {
      soup_message_body_complete (soup_server_message_get_response_body (msg));
      return;
    }
  soup_server_message_pause (msg);
  send->timeout = g_timeout_add (send->server->interval_ms, lodge_http_test_send_timeout_cb, send);
}

static inline void
lodge_http_test_finished_cb (SoupServerMessage *msg,
                             gpointer           data)
{
  LodgeHttpTestSend *send = data;

  g_signal_handlers_disconnect_by_data (msg, send);
  /* Frees it (lodge_http_test_send_free). */
  g_object_set_data (G_OBJECT (msg), "lodge-http-test-send", NULL);
}

static inline void
lodge_http_test_handler (SoupServer        *soup_server,
                         SoupServerMessage *msg,
                         const char        *path,
                         GHashTable        *query,
                         gpointer           data)
{
  LodgeHttpTestServer *server = data;
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  gsize size = g_bytes_get_size (server->content);
  const char *if_range = soup_message_headers_get_one (request, "If-Range");
  SoupRange *ranges = NULL;
  int n_ranges = 0;
  goffset start = 0;
  g_autoptr(GBytes) body = NULL;

  server->n_requests++;
  if (g_strcmp0 (soup_server_message_get_method (msg), SOUP_METHOD_GET) != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_IMPLEMENTED, NULL);
      return;
    }
  if (path[0] != '/' || g_strcmp0 (path + 1, server->name) != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  if (!server->no_validators)
    {
      soup_message_headers_replace (response, "ETag", server->etag);
      soup_message_headers_replace (response, "Last-Modified", "Sat, 21 Nov 2026 00:00:00 GMT");
    }
  soup_message_headers_replace (response, "Accept-Ranges", "bytes");
  soup_message_headers_replace (response, "Content-Type", "application/octet-stream");

  if (soup_message_headers_get_one (request, "Range") != NULL)
    {
      server->n_ranged++;
      g_free (server->last_if_range);
      server->last_if_range = g_strdup (if_range);
    }
  if (soup_message_headers_get_ranges (request, (goffset) size, &ranges, &n_ranges) &&
      n_ranges == 1 && (if_range == NULL || g_strcmp0 (if_range, server->etag) == 0))
    start = ranges[0].start;
  if (ranges != NULL)
    soup_message_headers_free_ranges (request, ranges);
  /* Answered here, so SoupServer must not apply the range again. */
  soup_message_headers_remove (request, "Range");

  if (start > 0)
    {
      server->n_partial++;
      soup_server_message_set_status (msg, SOUP_STATUS_PARTIAL_CONTENT, NULL);
      soup_message_headers_set_content_range (response, start, (goffset) size - 1, (goffset) size);
    }
  else
    soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);

  body = g_bytes_new_from_bytes (server->content, (gsize) start, size - (gsize) start);
  if (server->chunk_size == 0 && server->close_after == 0 && !server->no_length)
    {
      soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
      return;
    }

  {
    LodgeHttpTestSend *send = g_new0 (LodgeHttpTestSend, 1);

    send->server = server;
    send->msg = msg;
    send->body = g_steal_pointer (&body);
    if (server->chunk_size == 0)
      server->chunk_size = 64 * 1024;
    if (server->no_length)
      soup_message_headers_set_encoding (response, SOUP_ENCODING_CHUNKED);
    else
      {
        soup_message_headers_set_encoding (response, SOUP_ENCODING_CONTENT_LENGTH);
        soup_message_headers_set_content_length (response, (goffset) g_bytes_get_size (send->body));
      }
    /* Freed with the message: "finished" is not emitted for a connection
     * taken away or closed by the client. */
    g_object_set_data_full (G_OBJECT (msg), "lodge-http-test-send", send,
                            (GDestroyNotify) lodge_http_test_send_free);
    g_signal_connect (msg, "wrote-chunk", G_CALLBACK (lodge_http_test_wrote_chunk_cb), send);
    g_signal_connect (msg, "finished", G_CALLBACK (lodge_http_test_finished_cb), send);
    lodge_http_test_send_next (send);
  }
}

/* Content that differs with seed, so a restart is told from a resume. */
static inline GBytes *
lodge_http_test_make_content (gsize   size,
                              guint32 seed)
{
  guint8 *data = g_malloc (size);
  GRand *rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < size; i += 4)
    {
      guint32 v = g_rand_int (rand);

      memcpy (data + i, &v, MIN (4, size - i));
    }
  g_rand_free (rand);
  return g_bytes_new_take (data, size);
}

static inline LodgeHttpTestServer *
lodge_http_test_server_new (const char *name,
                            GBytes     *content,
                            const char *etag)
{
  LodgeHttpTestServer *server = g_new0 (LodgeHttpTestServer, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  GSList *uris;

  server->name = g_strdup (name);
  server->content = g_bytes_ref (content);
  server->etag = g_strdup (etag);
  server->server = soup_server_new ("server-header", "lodge-test ", NULL);
  soup_server_add_handler (server->server, NULL, lodge_http_test_handler, server, NULL);
  if (!soup_server_listen (server->server, address, 0, &error))
    g_error ("Could not listen on 127.0.0.1: %s", error->message);

  uris = soup_server_get_uris (server->server);
  g_assert_nonnull (uris);
  server->port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return server;
}

/* http://127.0.0.1:PORT/path */
static inline char *
lodge_http_test_server_uri (LodgeHttpTestServer *server,
                            const char          *path)
{
  return g_strdup_printf ("http://127.0.0.1:%u/%s", server->port, path);
}

static inline void
lodge_http_test_server_set_content (LodgeHttpTestServer *server,
                                    GBytes              *content,
                                    const char          *etag)
{
  g_bytes_unref (server->content);
  server->content = g_bytes_ref (content);
  g_free (server->etag);
  server->etag = g_strdup (etag);
}

static inline void
lodge_http_test_server_reset (LodgeHttpTestServer *server)
{
  server->chunk_size = 0;
  server->interval_ms = 0;
  server->close_after = 0;
  server->no_validators = FALSE;
  server->no_length = FALSE;
  server->n_requests = 0;
  server->n_ranged = 0;
  server->n_partial = 0;
  g_clear_pointer (&server->last_if_range, g_free);
}

static inline void
lodge_http_test_server_free (LodgeHttpTestServer *server)
{
  soup_server_disconnect (server->server);
  g_object_unref (server->server);
  g_bytes_unref (server->content);
  g_free (server->etag);
  g_free (server->name);
  g_free (server->last_if_range);
  g_free (server);
}
