// The Output widget (ipywidgets' ``Output``) for coopkit's page, without JupyterLab's
// output area: what the kernel puts in it (``append_display_data``, ``with out:``) is
// drawn here. Outputs come from the app's own kernel, which is trusted the way a
// trusted notebook is: HTML is inserted as is and its scripts run, JavaScript runs.
// Tracebacks are never drawn (the server hides them already); text and images are.

import * as base from '@jupyter-widgets/base';
import { Widget } from '@lumino/widgets';

const VERSION = '1.0.0';
const WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json';

export class OutputModel extends base.DOMWidgetModel {
  defaults() {
    return {
      ...super.defaults(),
      _model_name: 'OutputModel',
      _view_name: 'OutputView',
      _model_module: '@jupyter-widgets/output',
      _view_module: '@jupyter-widgets/output',
      _model_module_version: VERSION,
      _view_module_version: VERSION,
      msg_id: '',
      outputs: [],
    };
  }

  initialize(attributes, options) {
    super.initialize(attributes, options);
    this._hook = null;
    this._hookId = '';
    this.on('change:msg_id', this._captureFor, this);
    this._captureFor();
  }

  /** ``with out:`` in the kernel sets ``msg_id``: catch what that message prints. */
  _captureFor() {
    const kernel = this.widget_manager.kernel;
    if (this._hook && kernel) {
      kernel.removeMessageHook(this._hookId, this._hook);
      this._hook = null;
    }
    const msgId = this.get('msg_id');
    if (msgId && kernel) {
      this._hookId = msgId;
      this._hook = (msg) => {
        this._add(msg);
        return false; // caught here: not shown anywhere else
      };
      kernel.registerMessageHook(msgId, this._hook);
    }
  }

  _add(msg) {
    const type = msg.header.msg_type;
    const content = msg.content;
    let outputs = this.get('outputs');
    if (type === 'clear_output') {
      outputs = [];
    } else if (type === 'stream') {
      outputs = [...outputs, { output_type: 'stream', name: content.name, text: content.text }];
    } else if (type === 'display_data' || type === 'execute_result') {
      outputs = [...outputs, { output_type: type, data: content.data,
                               metadata: content.metadata || {} }];
    } else {
      return; // errors: no traceback on a participant's screen
    }
    this.set('outputs', outputs);
    this.save_changes(); // the kernel's ``out.outputs`` stays in step, as in JupyterLab
  }
}

export class OutputView extends base.DOMWidgetView {
  render() {
    this.el.classList.add('jupyter-widgets-output-area', 'widget-output');
    this.listenTo(this.model, 'change:outputs', this._draw);
    this._children = [];
    this._draw();
  }

  remove() {
    this._clear();
    return super.remove();
  }

  _clear() {
    for (const view of this._children) {
      view.remove();
    }
    this._children = [];
    this.el.textContent = '';
  }

  _draw() {
    this._clear();
    for (const item of this.model.get('outputs') || []) {
      const node = document.createElement('div');
      node.className = 'coopkit-output-item';
      this.el.appendChild(node);
      this._drawOne(item, node).catch((err) => console.error('coopkit page: output', err));
    }
  }

  async _drawOne(item, node) {
    if (item.output_type === 'stream') {
      const pre = document.createElement('pre');
      pre.textContent = item.text;
      node.appendChild(pre);
      return;
    }
    const data = item.data || {};
    if (data[WIDGET_VIEW]) {
      const manager = this.model.widget_manager;
      const model = await manager.get_model(data[WIDGET_VIEW].model_id);
      const view = await manager.create_view(model, { parent: this });
      this._children.push(view);
      Widget.attach(view.luminoWidget, node);
    } else if (data['application/javascript'] !== undefined) {
      runScript(String(data['application/javascript']), node);
    } else if (data['text/html'] !== undefined) {
      node.innerHTML = String(data['text/html']);
      for (const old of node.querySelectorAll('script')) {
        if (old.type && !/javascript/.test(old.type)) {
          continue; // data, not code
        }
        runScript(old.textContent, node);
      }
    } else if (data['image/svg+xml'] !== undefined) {
      node.innerHTML = String(data['image/svg+xml']);
    } else if (data['image/png'] || data['image/jpeg']) {
      const type = data['image/png'] ? 'image/png' : 'image/jpeg';
      const img = document.createElement('img');
      img.src = `data:${type};base64,${data[type]}`;
      img.alt = data['text/plain'] !== undefined ? String(data['text/plain']) : '';
      node.appendChild(img);
    } else if (data['text/plain'] !== undefined) {
      const pre = document.createElement('pre');
      pre.textContent = String(data['text/plain']);
      node.appendChild(pre);
    }
  }
}

/** Run the kernel's JavaScript with ``element`` (and ``this``) set to its output node. */
function runScript(code, element) {
  try {
    new Function('element', code).call(element, element); // eslint-disable-line no-new-func
  } catch (err) {
    console.error('coopkit page: a script of the app failed', err);
  }
}
