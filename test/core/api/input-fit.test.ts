import { describe, expect, it } from 'vitest';
import { checkInputFit, describeInputFit } from '../../../core/api/input-fit.js';

const data = { height: 32, width: 32, channels: 3, classes: 10 };

describe('a data set checked against a model file', () => {
  it('fits when size, channels and classes agree, and where the model takes any size', () => {
    expect(checkInputFit({ height: 32, width: 32, channels: 3, classes: 10 }, data)).toEqual({
      problems: [],
      fixable: true,
      target: { height: 32, width: 32, channels: 3 },
    });
    expect(checkInputFit({ height: null, width: null, channels: 3, classes: 10 }, data).problems).toEqual([]);
  });

  it('proposes resizing and grayscale conversion for a 28x28x1 model and 32x32x3 images', () => {
    const fit = checkInputFit({ height: 28, width: 28, channels: 1, classes: 10 }, data);
    expect(fit.problems.map((p) => p.what)).toEqual(['size', 'channels']);
    expect(fit.fixable).toBe(true);
    expect(fit.target).toEqual({ height: 28, width: 28, channels: 1 });
    expect(fit.problems[0].problem).toBe('The model takes 28×28 images; yours are 32×32.');
    expect(fit.problems[1].fix).toBe('Convert the images to grayscale.');
    expect(describeInputFit(fit)).toMatch(/What to do: let Pruneflow fit the images to the model .*Resize the images to 28×28/);
  });

  it('proposes copying gray into colour for a colour model and gray images', () => {
    const fit = checkInputFit({ height: 28, width: 28, channels: 3, classes: 10 }, { height: 28, width: 28, channels: 1, classes: 10 });
    expect(fit.problems.map((p) => [p.what, p.fix])).toEqual([['channels', 'Copy the gray channel into red, green and blue.']]);
  });

  it('says why it cannot run where no conversion helps: other classes, or channel counts other than 1 and 3', () => {
    const classes = checkInputFit({ height: 32, width: 32, channels: 3, classes: 43 }, data);
    expect(classes.fixable).toBe(false);
    expect(classes.problems[0]).toMatchObject({ what: 'classes', problem: 'The model predicts 43 classes; the data set has 10.' });
    expect(describeInputFit(classes)).toMatch(/What to do: A pruned model keeps its classifier/);
    const fourChannels = checkInputFit({ height: 32, width: 32, channels: 4, classes: 10 }, data);
    expect(fourChannels.fixable).toBe(false);
    expect(fourChannels.problems[0].reason).toMatch(/only between grayscale and colour/);
  });
});
